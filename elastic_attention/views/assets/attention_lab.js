// Attention lab: __ID__ is replaced by the lab's element id when the HTML is assembled.
// The model of chapter 5.3 rebuilt from TensorFlow.js core ops; the weights come from the page.
(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
var t0=(window.performance?performance.now():Date.now());
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d"),text=$("text"),status=$("status");
var N=D.size,G=D.grid,S=D.scale,CELL=N/G,tfx=null,W={},busy=false,again=false;
var scene,strokes,dragging=null,lastPt=null,selected=-1;
function fallback(why){status.textContent="The live model could not start ("+why+"); the static attention maps below show the same model on test canvases.";
$("fallback").hidden=false;root.setAttribute("data-lab-state","fallback");}
function color(v){var n=D.lut.length-1,x=Math.max(0,Math.min(1,v))*n,i=Math.min(Math.floor(x),n-1),f=x-i,a=D.lut[i],b=D.lut[i+1];
return "rgb("+[0,1,2].map(function(c){return Math.round(a[c]+(b[c]-a[c])*f);}).join(",")+")";}
function decode(e){var bin=atob(e.data),buf=new ArrayBuffer(bin.length),u=new Uint8Array(buf);
for(var i=0;i<bin.length;i++){u[i]=bin.charCodeAt(i);}return tfx.tensor(new Float32Array(buf),e.shape,"float32");}
function reset(){var s=D.scene;scene={digit:s.digit,dy:s.dy,dx:s.dx,frags:s.frags.map(function(f){return {k:f.k,y:f.y,x:f.x};})};
strokes=new Float32Array(N*N);selected=-1;$("digit").value=String(scene.digit);}
function digitPatch(){return scene.digit<0?null:D.digits[scene.digit];}
function composite(){var px=new Float32Array(N*N),k,y,x,v;
function put(py,px0,h,w,vals,scale){for(y=0;y<h;y++){for(x=0;x<w;x++){var Y=py+y,X=px0+x;if(Y<0||X<0||Y>=N||X>=N)continue;
v=vals[y*w+x]/scale;if(v>px[Y*N+X])px[Y*N+X]=v;}}}
scene.frags.forEach(function(f){var F=D.fragments[f.k];put(f.y,f.x,F.h,F.w,F.px,255);});
var d=digitPatch();if(d){put(scene.dy,scene.dx,16,16,d,255);}
for(k=0;k<N*N;k++){if(strokes[k]>px[k])px[k]=strokes[k];}return px;}
function digitBox(){var d=digitPatch();if(!d)return null;var t=99,l=99,b=-1,r=-1;
for(var y=0;y<16;y++){for(var x=0;x<16;x++){if(d[y*16+x]>0){var Y=scene.dy+y,X=scene.dx+x;if(Y<0||X<0||Y>=N||X>=N)continue;
t=Math.min(t,Y);l=Math.min(l,X);b=Math.max(b,Y+1);r=Math.max(r,X+1);}}}return b<0?null:[t,l,b,r];}
function forward(px){return tfx.tidy(function(){var x=tfx.tensor4d(px,[1,N,N,1]);
for(var i=1;i<=3;i++){x=tfx.conv2d(x,W["conv"+i],1,"same");
x=tfx.batchNorm(x,W["bn"+i+"/moving_mean"],W["bn"+i+"/moving_variance"],W["bn"+i+"/beta"],W["bn"+i+"/gamma"],D.weights["bn"+i+"/epsilon"]);
x=tfx.maxPool(tfx.relu(x),2,2,"valid");}
var T=tfx,F=x.shape[3],H=T.reshape(x,[G*G,F]);
var s=T.div(T.add(T.reshape(T.matMul(H,T.reshape(W["attention/w"],[F,1])),[G*G]),W["attention/b"]),D.weights["attention/temperature"]);
var a=T.softmax(s),y=T.matMul(T.reshape(a,[1,G*G]),H),logits=T.add(T.matMul(y,W["logits/kernel"]),W["logits/bias"]);
return {probs:Array.from(T.softmax(logits).dataSync()),weights:Array.from(a.dataSync())};});}
function draw(px,out){var img=ctx.createImageData(N,N),k;for(k=0;k<N*N;k++){var g=Math.round(255*px[k]);
img.data[4*k]=g;img.data[4*k+1]=g;img.data[4*k+2]=g;img.data[4*k+3]=255;}
var tmp=document.createElement("canvas");tmp.width=N;tmp.height=N;tmp.getContext("2d").putImageData(img,0,0);
ctx.imageSmoothingEnabled=false;ctx.globalAlpha=1;ctx.clearRect(0,0,cv.width,cv.height);ctx.drawImage(tmp,0,0,N*S,N*S);
var w=out.weights,m=0,p=0;for(k=0;k<w.length;k++){if(w[k]>m){m=w[k];p=k;}}
ctx.globalAlpha=0.5;for(k=0;k<w.length;k++){ctx.fillStyle=color(w[k]/(m||1e-12));ctx.fillRect((k%G)*CELL*S,Math.floor(k/G)*CELL*S,CELL*S,CELL*S);}
ctx.globalAlpha=1;var box=digitBox(),pr=Math.floor(p/G),pc=p%G,cy=(pr+0.5)*CELL,cx=(pc+0.5)*CELL,hit=null;
if(box){ctx.strokeStyle="#00ff00";ctx.lineWidth=2;ctx.strokeRect(box[1]*S,box[0]*S,(box[3]-box[1])*S,(box[2]-box[0])*S);
hit=cy>=box[0]&&cy<box[2]&&cx>=box[1]&&cx<box[3];}
var X0=cx*S,Y0=cy*S,r=10;ctx.strokeStyle="#00ffff";ctx.lineWidth=3;ctx.beginPath();ctx.moveTo(X0-r,Y0);ctx.lineTo(X0+r,Y0);ctx.moveTo(X0,Y0-r);ctx.lineTo(X0,Y0+r);ctx.stroke();
var best=0;for(k=1;k<10;k++){if(out.probs[k]>out.probs[best])best=k;}
var t="Predicted "+best+" with probability "+out.probs[best].toFixed(3)+". Peak attention weight "+m.toFixed(3)+" in row "+(pr+1)+", column "+(pc+1)+" of the "+G+"\u00d7"+G+" grid";
t+=hit===null?" (no digit on the canvas).":(hit?", inside the digit's box: a pointing-game hit.":", outside the digit's box: a miss.");
text.textContent=t;cv.setAttribute("aria-label","Canvas with the attention map. "+t);
var rows="";for(k=0;k<10;k++){rows+="<tr><th scope=\"row\">"+k+"</th><td>"+out.probs[k].toFixed(3)+"</td><td><span style=\"display:inline-block;height:.7em;background:#1f77b4;width:"+Math.round(120*out.probs[k])+"px\"></span></td></tr>";}
$("probs").innerHTML=rows;
root.setAttribute("data-peak",String(p));root.setAttribute("data-hit",hit===null?"none":String(hit));root.setAttribute("data-pred",String(best));
root.setAttribute("data-box",box?box.join(","):"");root.setAttribute("data-fragments",String(scene.frags.length));}
function update(){if(!tfx)return;if(busy){again=true;return;}busy=true;
try{var px=composite();draw(px,forward(px));}catch(e){fallback(String(e));}
busy=false;if(again){again=false;update();}}
function point(ev){var r=cv.getBoundingClientRect();return [Math.floor((ev.clientY-r.top)*N/r.height),Math.floor((ev.clientX-r.left)*N/r.width)];}
function hitFragment(p){for(var i=scene.frags.length-1;i>=0;i--){var f=scene.frags[i],F=D.fragments[f.k];
if(p[0]>=f.y&&p[0]<f.y+F.h&&p[1]>=f.x&&p[1]<f.x+F.w)return i;}return -1;}
function paint(p,val){for(var dy=-1;dy<=1;dy++){for(var dx=-1;dx<=1;dx++){var Y=p[0]+dy,X=p[1]+dx;if(Y>=0&&X>=0&&Y<N&&X<N)strokes[Y*N+X]=val;}}}
cv.addEventListener("pointerdown",function(ev){var p=point(ev),tool=$("tool").value;cv.setPointerCapture&&cv.setPointerCapture(ev.pointerId);lastPt=p;
if(tool==="move"){var box=digitBox(),f=hitFragment(p);
if(box&&p[0]>=box[0]-1&&p[0]<=box[2]&&p[1]>=box[1]-1&&p[1]<=box[3]){dragging="digit";selected=-1;}else if(f>=0){dragging=f;selected=f;}else{dragging=null;}}
else{dragging="ink";paint(p,tool==="draw"?1:0);update();}ev.preventDefault();});
cv.addEventListener("pointermove",function(ev){if(dragging===null)return;var p=point(ev),dy=p[0]-lastPt[0],dx=p[1]-lastPt[1];lastPt=p;
if(dragging==="digit"){scene.dy+=dy;scene.dx+=dx;}else if(dragging==="ink"){paint(p,$("tool").value==="draw"?1:0);}
else{scene.frags[dragging].y+=dy;scene.frags[dragging].x+=dx;}update();ev.preventDefault();});
["pointerup","pointercancel","pointerleave"].forEach(function(n){cv.addEventListener(n,function(){dragging=null;});});
cv.tabIndex=0;cv.addEventListener("keydown",function(ev){var step={ArrowUp:[-1,0],ArrowDown:[1,0],ArrowLeft:[0,-1],ArrowRight:[0,1]}[ev.key];
if(!step)return;if(selected>=0&&scene.frags[selected]){scene.frags[selected].y+=step[0];scene.frags[selected].x+=step[1];}
else{scene.dy+=step[0];scene.dx+=step[1];}update();ev.preventDefault();});
$("digit").addEventListener("change",function(){scene.digit=+$("digit").value;update();});
$("add").addEventListener("click",function(){var k=scene.frags.length%D.fragments.length;scene.frags.push({k:k,y:(7*scene.frags.length)%30,x:(13*scene.frags.length+3)%30});selected=scene.frags.length-1;update();});
$("remove").addEventListener("click",function(){if(scene.frags.length){scene.frags.splice(selected>=0?selected:scene.frags.length-1,1);selected=-1;update();}});
$("clear").addEventListener("click",function(){scene.digit=-1;scene.frags=[];strokes=new Float32Array(N*N);update();});
$("reset").addEventListener("click",function(){reset();update();});
reset();
// The page's self-check: the browser test compares these outputs with Keras's (stored in D.reference).
window.eaLab=window.eaLab||{};
window.eaLab[uid]={predict:function(u8){var px=new Float32Array(N*N);for(var k=0;k<N*N;k++){px[k]=u8[k]/255;}return forward(px);},
reference:D.reference,backend:function(){return tfx?tfx.getBackend():null;}};
if(typeof tf==="undefined"){fallback(D.source);return;}
tfx=tf;
// WebGL when the browser has it on a GPU; a software renderer (SwiftShader, llvmpipe) compiles its
// shaders slower than the CPU backend runs this small model, so then the CPU backend runs.
function webglKind(){try{var c=document.createElement("canvas"),gl=c.getContext("webgl2")||c.getContext("webgl");if(!gl)return "none";
var ext=gl.getExtension("WEBGL_debug_renderer_info"),name=ext?String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)):"";
return /swiftshader|llvmpipe|software/i.test(name)?"software":"gpu";}catch(e){return "none";}}
var kind=webglKind(),why={none:"this browser has no WebGL",software:"WebGL here is a software renderer",gpu:""}[kind];
(kind==="gpu"?tfx.setBackend("webgl").catch(function(){return false;}):Promise.resolve(false)).then(function(ok){
return ok?true:tfx.setBackend("cpu");}).then(function(){return tfx.ready();}).then(function(){
Object.keys(D.weights).forEach(function(k){if(typeof D.weights[k]==="object")W[k]=decode(D.weights[k]);});
update();if(root.getAttribute("data-lab-state")==="fallback")return;var ms=(window.performance?performance.now():Date.now())-t0;
root.setAttribute("data-first-prediction-ms",ms.toFixed(0));root.setAttribute("data-lab-state","running");
status.textContent="Running on TensorFlow.js's "+tfx.getBackend()+" backend"+(tfx.getBackend()==="cpu"&&why?" ("+why+")":"")+"; first prediction "+ms.toFixed(0)+" ms after the page loaded the lab.";
}).catch(function(e){fallback(String(e));});
})();
